// libpng 1.6; the include path (e.g. /usr/include/libpng16) comes from `pkg-config libpng`.
#include <png.h>
