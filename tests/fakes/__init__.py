"""Local HTTP servers that speak providers' wire formats, for the tests and the benchmarks."""
