"""sensors of the MatrixOne provider."""
