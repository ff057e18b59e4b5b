#pragma once
// Interrupt lines: a cheap handle naming input `n` of a sink (an interrupt
// controller, a CPU). Level-triggered; edge devices pulse.
namespace emu {

class IrqSink {
  public:
    virtual ~IrqSink() = default;
    virtual void set_irq(int n, bool level) = 0;
};

class IrqLine {
  public:
    IrqLine() = default;
    IrqLine(IrqSink* sink, int n) : sink_(sink), n_(n) {}
    void set(bool level) const {
        if (sink_) sink_->set_irq(n_, level);
    }
    void raise() const { set(true); }
    void lower() const { set(false); }
    void pulse() const {
        set(true);
        set(false);
    }
    bool connected() const { return sink_ != nullptr; }
    int number() const { return n_; }

  private:
    IrqSink* sink_ = nullptr;
    int n_ = 0;
};

// Fans one output out to several inputs (e.g. an IRQ to two controllers).
class IrqSplitter : public IrqSink {
  public:
    void add(IrqLine l) { outs_[count_++] = l; }
    void set_irq(int, bool level) override {
        for (int i = 0; i < count_; ++i)
            outs_[i].set(level);
    }

  private:
    IrqLine outs_[4];
    int count_ = 0;
};

}  // namespace emu
