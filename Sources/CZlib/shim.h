// zlib, from the system (Debian: zlib1g-dev): the state store compresses applied manifests.
#include <zlib.h>
