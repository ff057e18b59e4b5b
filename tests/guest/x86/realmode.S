/* A 64 KiB firmware image for -bios: starts at the reset vector in real
 * mode, prints through COM1 (no setup needed: 16550 defaults), reads the
 * fw_cfg signature, and exits through isa-debug-exit (port 0xf4). */
    .code16
    .section .text
    .globl _start
_start:
    cli
    mov $0xf000, %ax
    mov %ax, %ds
    mov $msg, %si
    call print
    /* fw_cfg signature: select key 0, read 4 bytes from port 0x511 */
    mov $0x510, %dx
    xor %ax, %ax
    out %ax, %dx
    mov $0x511, %dx
    mov $4, %cx
1:  in %dx, %al
    mov $0x3f8, %bx
    xchg %bx, %dx
    out %al, %dx
    xchg %bx, %dx
    loop 1b
    mov $nl, %si
    call print
    mov $0xf4, %dx
    xor %eax, %eax
    out %eax, %dx
2:  hlt
    jmp 2b

print:
    mov $0x3f8, %dx
3:  lodsb
    test %al, %al
    jz 4f
    out %al, %dx
    jmp 3b
4:  ret

msg: .asciz "Hello from real mode\r\nfw_cfg signature: "
nl:  .asciz "\r\nTEST PASS\r\n"

    .org 0xfff0
reset_vector:
    ljmp $0xf000, $_start
    .org 0x10000
