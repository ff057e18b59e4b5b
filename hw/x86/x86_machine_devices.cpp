#include "hw/x86/x86_machine.h"

namespace emu::x86 {

void register_x86_devices(DeviceRegistry& reg) {
    reg.add({"isa-debug-exit", "ISA",
             "exits the emulator with status (value << 1) | 1 "
             "(iobase=0x501, iosize=2)"});
    reg.add({"isa-serial", "ISA", "16550A UART (created by -serial; COM1-COM4)"});
    reg.add({"i8042", "ISA", "PS/2 controller (CPU reset line; no keyboard yet)"});
    reg.add({"mc146818rtc", "ISA", "CMOS RTC with NVRAM"});
    reg.add({"fw_cfg_io", "Misc", "QEMU firmware configuration device (ports 0x510/0x514)"});
}

}  // namespace emu::x86
