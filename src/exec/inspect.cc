// Instance::inspect: a read-only view of an instance's execution state.
#include <sstream>

#include "exec/interpreter.h"

namespace waspvm {

std::vector<ValType> local_types(const FuncInst& func) {
  std::vector<ValType> types = func.type.params;
  const ModuleDesc& desc = func.instance->module->desc;
  const FuncBody& body = desc.funcs[func.func_index - desc.num_imported_funcs];
  for (const LocalRun& run : body.locals) types.insert(types.end(), run.count, run.type);
  return types;
}

namespace {

// Frames [0, depth) innermost first, at most `limit` of them (frame_window).
// `exact_top`: the top frame stopped before its pc (a suspension; see
// frame_wasm_offset).
void fill_frame_views(InstanceView& view, const ExecStack& st, size_t depth, bool exact_top, size_t limit) {
  const FrameWindow window = frame_window(depth, limit);
  view.omitted_frames = window.omitted;
  view.omitted_at = window.omitted_at();
  std::vector<FrameView>& out = view.frames;
  out.reserve(window.head + window.tail);
  window.for_each_kept(depth, [&](size_t k) {
    const size_t i = depth - 1 - k;
    const Frame& f = st.frames[i];
    const CompiledFunc& code = *f.func->code;
    FrameView frame;
    frame.func_index = f.func->func_index;
    frame.func_name = f.func->instance->module->desc.func_name(f.func->func_index);
    frame.wasm_offset = frame_wasm_offset(f, exact_top && i + 1 == depth);
    std::vector<ValType> types = local_types(*f.func);
    for (uint32_t l = 0; l < types.size(); ++l)
      frame.locals.push_back(Value::from_bits(types[l], st.slots[f.base + l]));
    // A caller's operand stack ends where its callee's frame begins; the top
    // frame's height is not recorded, so all its operand slots are shown.
    uint64_t end = i + 1 < depth ? st.frames[i + 1].base : f.base + code.frame_slots;
    for (uint64_t s = f.base + code.num_locals; s < end; ++s) frame.stack.push_back(st.slots[s]);
    out.push_back(std::move(frame));
  });
}

}  // namespace

InstanceView Instance::inspect() const {
  const InstanceImpl& inst = *inst_;
  InstanceView view;
  for (const GlobalInst* g : inst.globals) view.globals.push_back(Value::from_bits(g->type.type, g->bits));
  for (const MemoryInst* m : inst.memories) view.memory_pages.push_back(m->pages());
  if (!inst.stack) return view;
  const ExecStack& st = *inst.stack;
  if (st.suspension) {
    view.state = InstanceView::State::Suspended;
    view.reason = st.suspension->reason;
    view.gas_left = st.suspension->gas_left;
    view.total_gas_used = st.suspension->total_gas_used;
    fill_frame_views(view, st, st.depth, true, inst.module->engine->config.max_report_frames);
  } else if (st.last_trap) {
    view.state = InstanceView::State::Trapped;
    view.trap = st.last_trap;
    fill_frame_views(view, st, st.trapped_depth, false, inst.module->engine->config.max_report_frames);
  }
  return view;
}

std::string InstanceView::to_string() const {
  std::ostringstream out;
  switch (state) {
    case State::Idle: out << "idle\n"; break;
    case State::Suspended:
      out << "suspended (" << suspend_reason_name(*reason) << "), gas used " << total_gas_used
          << ", gas left " << gas_left << "\n";
      break;
    case State::Trapped: out << "trapped: " << trap->message << "\n"; break;
  }
  for (size_t i = 0; i < frames.size(); ++i) {
    if (omitted_frames > 0 && i == omitted_at) out << "  ... " << omitted_frames << " frames omitted\n";
    const FrameView& f = frames[i];
    const uint64_t number = omitted_frames > 0 && i >= omitted_at ? i + omitted_frames : i;
    out << "  #" << number << " func " << f.func_index;
    if (!f.func_name.empty()) out << " <" << f.func_name << ">";
    out << " at wasm offset 0x" << std::hex << f.wasm_offset << std::dec << "\n";
    for (size_t l = 0; l < f.locals.size(); ++l)
      out << "      local " << l << " = " << f.locals[l].to_string() << "\n";
    if (!f.stack.empty()) {
      out << "      stack:";
      for (uint64_t bits : f.stack) out << " 0x" << std::hex << bits << std::dec;
      out << "\n";
    }
  }
  for (size_t g = 0; g < globals.size(); ++g)
    out << "  global " << g << " = " << globals[g].to_string() << "\n";
  for (size_t m = 0; m < memory_pages.size(); ++m)
    out << "  memory " << m << ": " << memory_pages[m] << " pages\n";
  return out.str();
}

}  // namespace waspvm
