"""hooks of the MatrixOne provider."""
