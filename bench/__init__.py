"""The benchmark: requests, time and memory per run (`make bench`). Not part of the tests' pass/fail."""
