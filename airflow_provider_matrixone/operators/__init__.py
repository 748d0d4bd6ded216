"""operators of the MatrixOne provider."""
