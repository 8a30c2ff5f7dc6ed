# Freeze microhttpc into a custom ESP32 firmware (ESP32_GENERIC, ESP32_GENERIC_S3, ...):
#     cd micropython/ports/esp32
#     make BOARD=ESP32_GENERIC_S3 FROZEN_MANIFEST=/path/to/microhttpc/boards/esp32/manifest.py
# Frozen modules run from flash: the package's code then costs no heap and no filesystem space.
# Paths below are relative to this file.

# metadata() comes first: MicroPython's manifest tools require it before include/require/package.
metadata(description="HTTP/1.1 and WebSocket client", version="0.1.0", license="MIT")

include("$(PORT_DIR)/boards/manifest.py")  # the port's usual frozen modules (asyncio, networking ...)

package("microhttpc", base_path="../../firmware")

# Uncomment to freeze the example too (then it runs at boot without a main.py on the filesystem):
# module("main.py")
