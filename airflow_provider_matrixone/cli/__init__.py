"""cli of the MatrixOne provider."""
