// Entry for bare-metal test programs on -M virt: linked at 0x40080000 (RAM
// base + 0x80000, where a raw binary is loaded), entered at EL1 with the
// MMU off and x0 = the device tree's address. Secondary CPUs (PSCI CPU_ON)
// enter at secondary_entry with x0 = their context id.
    .section .text.boot, "ax"
    .global _start
_start:
    mov     x19, x0                 // device tree address, for main()
    adrp    x1, __stack_top
    add     x1, x1, :lo12:__stack_top
    mov     sp, x1
    adrp    x1, __bss_start
    add     x1, x1, :lo12:__bss_start
    adrp    x2, __bss_end
    add     x2, x2, :lo12:__bss_end
1:  cmp     x1, x2
    b.hs    2f
    str     xzr, [x1], #8
    b       1b
2:  mov     x1, #(3 << 20)          // CPACR_EL1.FPEN: FP/SIMD at EL1 and EL0
    msr     cpacr_el1, x1
    adrp    x1, vectors
    add     x1, x1, :lo12:vectors
    msr     vbar_el1, x1
    isb
    mov     x0, x19
    bl      rt_main
    // rt_main does not return (it exits); hang if it ever does.
3:  wfi
    b       3b

    .global secondary_entry
secondary_entry:
    // x0 = context id = index of a 4 KiB stack in secondary_stacks.
    adrp    x1, secondary_stacks
    add     x1, x1, :lo12:secondary_stacks
    add     x2, x0, #1
    lsl     x2, x2, #12
    add     sp, x1, x2
    mov     x1, #(3 << 20)
    msr     cpacr_el1, x1
    adrp    x1, vectors
    add     x1, x1, :lo12:vectors
    msr     vbar_el1, x1
    isb
    bl      secondary_main
4:  wfi
    b       4b

    .bss
    .balign 16
    .global secondary_stacks
secondary_stacks:
    .space  4096 * 8
