// jpeglib.h uses FILE and size_t without including anything itself, so stdio.h must come first.
#include <stdio.h>
#include <jpeglib.h>
