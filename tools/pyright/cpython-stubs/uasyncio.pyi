# MicroPython's old name for asyncio, probed for by firmware/ with `try: import uasyncio`.
from asyncio import *
