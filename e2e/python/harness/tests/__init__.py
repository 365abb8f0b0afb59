# The `tests` package of the supertokens-python sdist ships its test files but not the package
# marker, the shared fixtures and the helpers they import; scripts/e2e/python-conformance.sh lays
# this directory over the unpacked sdist's tests/ before it runs pytest.
