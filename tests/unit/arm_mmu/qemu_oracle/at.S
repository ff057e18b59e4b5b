    .text
    .global _start
_start:
    adr x0, vectors
    msr vbar_el2, x0
    movz x0, #0x8000, lsl #16      // HCR_EL2.RW
    msr hcr_el2, x0
    isb
    movz x21, #0x0900, lsl #16     // PL011 data register
    mov x22, #0
    mrs x7, id_aa64mmfr0_el1
    bl print_hex
    mrs x7, id_aa64mmfr1_el1
    bl print_hex
    mrs x7, id_aa64mmfr2_el1
    bl print_hex
    movz x19, #0x40f0, lsl #16
    ldr x20, [x19]
    add x19, x19, #64
loop:
    cbz x20, done
    ldp x0, x1, [x19]
    ldp x2, x3, [x19, #16]
    ldp x4, x5, [x19, #32]
    ldr x6, [x19, #48]
    msr tcr_el1, x1
    msr ttbr0_el1, x2
    msr ttbr1_el1, x3
    msr mair_el1, x4
    msr sctlr_el1, x0
    isb
    tlbi vmalle1
    dsb sy
    isb
    cmp x6, #0
    b.eq op0
    cmp x6, #1
    b.eq op1
    cmp x6, #2
    b.eq op2
    at s1e0w, x5
    b after
op0: at s1e1r, x5
    b after
op1: at s1e1w, x5
    b after
op2: at s1e0r, x5
after:
    isb
    mrs x7, par_el1
    cbz x22, 1f
    mov x7, x23                    // an exception: "!" and ESR_EL2
    mov x22, #0
    mov x8, #'!'
    strb w8, [x21]
1:  bl print_hex
    add x19, x19, #64
    sub x20, x20, #1
    b loop
done:
    mov x0, #0x18
    movz x1, #0x2, lsl #16
    movk x1, #0x0026
    hlt #0xf000
2:  b 2b

print_hex:
    mov x9, #60
3:  lsr x8, x7, x9
    and x8, x8, #0xf
    cmp x8, #10
    b.lt 4f
    add x8, x8, #('a' - 10)
    b 5f
4:  add x8, x8, #'0'
5:  strb w8, [x21]
    subs x9, x9, #4
    b.ge 3b
    mov x8, #'\n'
    strb w8, [x21]
    ret

    .balign 2048
vectors:
    .rept 8
    .balign 128
    b handler
    .endr
    .rept 8
    .balign 128
    b handler
    .endr
handler:
    mrs x23, esr_el2
    mov x22, #1
    mrs x24, elr_el2
    add x24, x24, #4
    msr elr_el2, x24
    eret
