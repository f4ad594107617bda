// Vulkan through the loader (libvulkan1); the runtime asks for API 1.1 and uses 1.2/1.3
// structures only where the device reports them.
#include <vulkan/vulkan.h>
