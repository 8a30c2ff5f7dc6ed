# Freeze microhttpc into a custom Pico W / Pico 2 W firmware:
#     cd micropython/ports/rp2
#     make BOARD=RPI_PICO_W  FROZEN_MANIFEST=/path/to/microhttpc/boards/rp2-pico-w/manifest.py
#     make BOARD=RPI_PICO2_W FROZEN_MANIFEST=/path/to/microhttpc/boards/rp2-pico-w/manifest.py
# Frozen modules run from flash: the package's code then costs no heap and no filesystem space.
# Paths below are relative to this file.

# metadata() comes first: MicroPython's manifest tools require it before include/require/package.
metadata(description="HTTP/1.1 and WebSocket client", version="0.1.0", license="MIT")

include("$(BOARD_DIR)/manifest.py")  # the board's usual frozen modules (Wi-Fi driver, networking ...)

package("microhttpc", base_path="../../firmware")

# Uncomment to freeze the example too (then it runs at boot without a main.py on the filesystem):
# module("main.py")
