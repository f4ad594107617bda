// OpenCL through the ICD loader (ocl-icd); C API 1.2 so it runs on every driver.
#define CL_TARGET_OPENCL_VERSION 120
#include <CL/cl.h>
