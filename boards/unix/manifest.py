# Freeze microhttpc into a custom build of the MicroPython unix port:
#     cd micropython/ports/unix
#     make FROZEN_MANIFEST=/path/to/microhttpc/boards/unix/manifest.py
# Paths below are relative to this file.

# metadata() comes first: MicroPython's manifest tools require it before include/require/package.
metadata(description="HTTP/1.1 and WebSocket client", version="0.1.0", license="MIT")

include("$(PORT_DIR)/variants/standard/manifest.py")  # the standard variant's frozen modules

package("microhttpc", base_path="../../firmware")
