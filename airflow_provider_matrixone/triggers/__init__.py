"""triggers of the MatrixOne provider."""
