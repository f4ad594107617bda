// glslang's C interface (static archives from glslang-dev 12): GLSL → SPIR-V in-process.
#include <glslang/Include/glslang_c_interface.h>
#include <glslang/Public/resource_limits_c.h>
