/* PVH entry (32-bit protected mode, paging off, EBX = hvm_start_info),
 * switch to long mode with 4 GiB identity-mapped, call main64(start_info).
 * Also the SMP trampoline: APs start at 0x8000 in real mode (SIPI vector 8),
 * and end up in ap_main64(cpu_number). */
#define PML4 0x70000
#define PDPT 0x71000
#define PD0  0x72000

    .section .note.pvh, "a"
    .p2align 2
    .long 4, 4, 18           /* namesz, descsz, XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .long _start32

    .section .text.boot, "ax"
    .code32
    .globl _start32
_start32:
    cli
    mov %ebx, boot_info
    mov $stack_top, %esp
    /* page tables: PML4[0] -> PDPT, PDPT[0..3] -> PD0..3, 2 MiB pages */
    mov $PML4, %edi
    xor %eax, %eax
    mov $(6 * 4096 / 4), %ecx
    rep stosl
    movl $(PDPT | 3), PML4
    mov $0, %ecx
1:  mov %ecx, %eax
    shl $12, %eax
    add $(PD0 | 3), %eax
    mov %eax, PDPT(,%ecx,8)
    inc %ecx
    cmp $4, %ecx
    jne 1b
    mov $0, %ecx
2:  mov %ecx, %eax
    shl $21, %eax
    or $0x83, %eax
    mov %eax, PD0(,%ecx,8)
    inc %ecx
    cmp $2048, %ecx
    jne 2b
    call enter_long_mode_prep
    ljmp $0x08, $start64

    .globl enter_long_mode_prep
enter_long_mode_prep:
    lgdt gdt_ptr
    mov %cr4, %eax
    or $0x620, %eax          /* PAE, OSFXSR, OSXMMEXCPT */
    mov %eax, %cr4
    mov $PML4, %eax
    mov %eax, %cr3
    mov $0xc0000080, %ecx
    rdmsr
    or $0x100, %eax          /* LME */
    wrmsr
    mov %cr0, %eax
    and $~0x6, %eax          /* EM, MP off: SSE usable */
    or $0x80000001, %eax
    mov %eax, %cr0
    ret

    .code64
start64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %ax, %fs
    mov %ax, %gs
    mov $stack_top, %rsp
    mov boot_info, %edi
    call main64
3:  cli
    hlt
    jmp 3b

/* AP path after the trampoline: 32-bit protected mode, flat. */
    .code32
    .globl ap_entry32
ap_entry32:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov $1, %eax
    lock xadd %eax, ap_next
    inc %eax                 /* this AP's number, 1.. */
    mov %eax, %ebx
    /* 16 KiB stack per AP: the top of slot n */
    shl $14, %eax
    add $ap_stacks, %eax
    mov %eax, %esp
    call enter_long_mode_prep
    ljmp $0x08, $ap_start64
    .code64
ap_start64:
    mov $0x10, %ax
    mov %ax, %ds
    mov %ax, %es
    mov %ax, %ss
    mov %esp, %esp
    mov %ebx, %edi
    call ap_main64
4:  cli
    hlt
    jmp 4b

/* Real-mode trampoline, copied to 0x8000 by the BSP. */
    .code16
    .globl ap_tramp_start, ap_tramp_end
ap_tramp_start:
    cli
    mov %cs, %ax
    mov %ax, %ds
    lgdtl (ap_tramp_gdtr - ap_tramp_start)
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x18, $ap_entry32
    .p2align 2
ap_tramp_gdtr:
    .word gdt_end - gdt - 1
    .long gdt
ap_tramp_end:

    .section .data
    .p2align 3
gdt:
    .quad 0
    .quad 0x00af9b000000ffff  /* 0x08: 64-bit code */
    .quad 0x00cf93000000ffff  /* 0x10: data */
    .quad 0x00cf9b000000ffff  /* 0x18: 32-bit code */
gdt_end:
gdt_ptr:
    .word gdt_end - gdt - 1
    .long gdt
    .globl boot_info, ap_next
boot_info: .long 0
ap_next:   .long 0

    .section .bss
    .p2align 12
    .globl ap_stacks
ap_stacks: .skip 16384 * 65
    .skip 16384
stack_top:
