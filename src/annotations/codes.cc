#include "annotations/codes.h"
