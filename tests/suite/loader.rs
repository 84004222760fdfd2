// written by the loader-tests helper
