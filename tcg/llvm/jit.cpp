#include "tcg/llvm/jit.h"

#include <llvm/ExecutionEngine/Orc/CompileUtils.h>
#include <llvm/ExecutionEngine/Orc/ExecutionUtils.h>
#include <llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h>
#include <llvm/ExecutionEngine/Orc/ObjectTransformLayer.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Object/SymbolSize.h>
#include <llvm/Passes/PassBuilder.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <mutex>

namespace emu::tcg::llvmtier {

namespace {

// LLVM interns types and constants in a context for its lifetime; a fresh
// context every so many modules keeps that memory bounded.
constexpr unsigned kModulesPerContext = 256;

std::string err_str(llvm::Error e) {
    return llvm::toString(std::move(e));
}

void init_llvm() {
    static std::once_flag once;
    std::call_once(once, [] {
        llvm::InitializeNativeTarget();
        llvm::InitializeNativeTargetAsmPrinter();
    });
}

}  // namespace

Jit::~Jit() = default;

std::unique_ptr<Jit> Jit::create(const JitConfig& cfg, std::string* err) {
    init_llvm();
    auto jtmb = llvm::orc::JITTargetMachineBuilder::detectHost();
    if (!jtmb) {
        *err = err_str(jtmb.takeError());
        return nullptr;
    }
    if (cfg.codegen_level > 3) {
        *err = "codegen level must be 0..3";
        return nullptr;
    }
    jtmb->setCodeGenOptLevel(static_cast<llvm::CodeGenOptLevel>(cfg.codegen_level));
    std::unique_ptr<Jit> j(new Jit);
    j->cfg_ = cfg;
    auto tm = jtmb->createTargetMachine();
    if (!tm) {
        *err = err_str(tm.takeError());
        return nullptr;
    }
    j->tm_ = std::move(*tm);
    bool fast_isel = cfg.fast_isel;
    auto jit =
        llvm::orc::LLJITBuilder()
            .setJITTargetMachineBuilder(std::move(*jtmb))
            .setCompileFunctionCreator(
                [fast_isel](llvm::orc::JITTargetMachineBuilder b)
                    -> llvm::Expected<std::unique_ptr<llvm::orc::IRCompileLayer::IRCompiler>> {
                    auto tm = b.createTargetMachine();
                    if (!tm) return tm.takeError();
                    if (fast_isel) (*tm)->setFastISel(true);
                    return std::make_unique<llvm::orc::TMOwningSimpleCompiler>(std::move(*tm));
                })
            .create();
    if (!jit) {
        *err = err_str(jit.takeError());
        return nullptr;
    }
    j->jit_ = std::move(*jit);
    Jit* self = j.get();
    // Materialisation errors go to the session's reporter (stderr by
    // default); keep them for the failing compile() instead.
    j->jit_->getExecutionSession().setErrorReporter(
        [self](llvm::Error e) { self->last_error_ = err_str(std::move(e)); });
    // Code may call libgcc/libc routines LLVM introduces itself.
    auto gen = llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
        j->jit_->getDataLayout().getGlobalPrefix());
    if (!gen) {
        *err = err_str(gen.takeError());
        return nullptr;
    }
    j->jit_->getMainJITDylib().addGenerator(std::move(*gen));
    // Every object passes here before linking: note its code size and the
    // size of each function (the budget and -d out_asm need them).
    j->jit_->getObjTransformLayer().setTransform(
        [self](std::unique_ptr<llvm::MemoryBuffer> buf)
            -> llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> {
            auto obj = llvm::object::ObjectFile::createObjectFile(buf->getMemBufferRef());
            if (!obj) return obj.takeError();
            for (const auto& sec : (*obj)->sections()) {
                if (sec.isText()) self->code_bytes_ += sec.getSize();
            }
            for (auto& [sym, size] : llvm::object::computeSymbolSizes(**obj)) {
                auto name = sym.getName();
                if (!name) {
                    llvm::consumeError(name.takeError());
                    continue;
                }
                self->sizes_[name->str()] = size;
            }
            return buf;
        });
    j->ctx_ = llvm::orc::ThreadSafeContext(std::make_unique<llvm::LLVMContext>());
    return j;
}

std::unique_ptr<llvm::Module> Jit::new_module() {
    if (modules_in_ctx_ >= kModulesPerContext) {
        ctx_ = llvm::orc::ThreadSafeContext(std::make_unique<llvm::LLVMContext>());
        modules_in_ctx_ = 0;
    }
    auto m = std::make_unique<llvm::Module>("emu.blocks", *ctx_.getContext());
    m->setDataLayout(jit_->getDataLayout());
    m->setTargetTriple(jit_->getTargetTriple().str());
    return m;
}

bool Jit::optimize(llvm::Module& m, std::string* err) {
    if (cfg_.pipeline.empty()) return true;
    llvm::LoopAnalysisManager lam;
    llvm::FunctionAnalysisManager fam;
    llvm::CGSCCAnalysisManager cgam;
    llvm::ModuleAnalysisManager mam;
    llvm::PassBuilder pb(tm_.get());
    pb.registerModuleAnalyses(mam);
    pb.registerCGSCCAnalyses(cgam);
    pb.registerFunctionAnalyses(fam);
    pb.registerLoopAnalyses(lam);
    pb.crossRegisterProxies(lam, fam, cgam, mam);
    llvm::ModulePassManager mpm;
    if (auto e = pb.parsePassPipeline(mpm, cfg_.pipeline)) {
        *err = "pass pipeline: " + err_str(std::move(e));
        return false;
    }
    mpm.run(m, mam);
    return true;
}

bool Jit::compile(std::unique_ptr<llvm::Module> m, const std::vector<std::string>& names,
                  std::vector<CodeRange>* out, std::string* err) {
    out->assign(names.size(), CodeRange{});
    ++modules_in_ctx_;
    // Debugging aid for lowering bugs: the LLVM IR before and after the passes.
    static const bool dump = std::getenv("EMU_LLVM_DUMP_IR") != nullptr;
    if (dump) m->print(llvm::errs(), nullptr);
    if (!optimize(*m, err)) return false;
    if (dump) m->print(llvm::errs(), nullptr);
    sizes_.clear();
    last_error_.clear();
    if (auto e = jit_->addIRModule(llvm::orc::ThreadSafeModule(std::move(m), ctx_))) {
        *err = err_str(std::move(e));
        return false;
    }
    bool any = false;
    for (size_t i = 0; i < names.size(); ++i) {
        auto a = jit_->lookup(names[i]);
        if (!a) {
            *err = err_str(a.takeError());
            if (!last_error_.empty()) *err += ": " + last_error_;
            continue;
        }
        (*out)[i].addr = a->getValue();
        auto it = sizes_.find(names[i]);
        (*out)[i].size = it == sizes_.end() ? 0 : it->second;
        any = true;
    }
    return any || names.empty();
}

}  // namespace emu::tcg::llvmtier
