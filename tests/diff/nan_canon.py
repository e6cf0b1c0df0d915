#!/usr/bin/env python3
"""Rewrites a module so that no NaN's bits can reach memory or an integer.

    tests/diff/nan_canon.py IN.wasm OUT.wasm

The payload and sign of a NaN that a float operator produces are
nondeterministic in the spec, and V8 and WaspVM really do differ (V8's
f32.max of a non-canonical NaN gives the canonical NaN, WaspVM's the operand's
NaN): wherever such bits become observable as something other than a NaN,
the two engines would legitimately disagree. That is at exactly four kinds of
instruction: f32.store and f64.store (the bits go to memory),
i32.reinterpret_f32 and i64.reinterpret_f64 (the bits become an integer), and
f32.copysign and f64.copysign (the sign of a NaN second operand becomes the
sign of the result). Before each, this inserts code that replaces a NaN
operand (the one on top of the stack) by the positive canonical NaN:

    local.set $t  f32.const nan  local.get $t  local.get $t  local.get $t  f32.ne  select

with $t a new f32 (or f64) local of the function. Everything else is copied
byte for byte, so NaNs still flow through arithmetic, comparisons, min/max,
conversions and traps as before; the transcripts print every NaN as `nan`
anyway. Exits 1 on an instruction it does not know (the module is then not
used).
"""
import struct
import sys

F32, F64 = 0x7D, 0x7C
# opcode -> the float type of the operand on top of the stack to canonicalize
CANON_BEFORE = {0x38: F32, 0x39: F64, 0xBC: F32, 0xBD: F64, 0x98: F32, 0xA6: F64}


class Reader:
    def __init__(self, data, pos=0):
        self.data = data
        self.pos = pos

    def byte(self):
        b = self.data[self.pos]
        self.pos += 1
        return b

    def u32(self):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                return result

    def sleb(self):
        result = shift = 0
        while True:
            b = self.byte()
            result |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                if b & 0x40:
                    result -= 1 << shift
                return result

    def skip(self, n):
        self.pos += n


def uleb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


class Unknown(Exception):
    pass


def canon_code(ftype, local):
    if ftype == F32:
        const = b"\x43" + struct.pack("<I", 0x7FC00000)
        ne = b"\x5c"
    else:
        const = b"\x44" + struct.pack("<Q", 0x7FF8000000000000)
        ne = b"\x62"
    get = b"\x20" + uleb(local)
    return b"\x21" + uleb(local) + const + get + get + get + ne + b"\x1b"


def skip_immediates(r, op):
    """Skips the immediates of the instruction `op` (already read)."""
    if op in (0x02, 0x03, 0x04):  # block, loop, if: a block type
        b = r.data[r.pos]
        if b == 0x40 or b in (0x7F, 0x7E, 0x7D, 0x7C, 0x7B, 0x70, 0x6F):
            r.skip(1)
        else:
            r.sleb()
    elif op in (0x00, 0x01, 0x05, 0x0B, 0x0F, 0x1A, 0x1B, 0xD1):
        pass
    elif op in (0x0C, 0x0D, 0x10, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0xD2):
        r.u32()
    elif op == 0x0E:  # br_table
        for _ in range(r.u32() + 1):
            r.u32()
    elif op == 0x11:  # call_indirect
        r.u32()
        r.u32()
    elif op == 0x1C:  # select t*
        r.skip(r.u32())
    elif 0x28 <= op <= 0x3E:  # loads and stores: memarg
        r.u32()
        r.u32()
    elif op in (0x3F, 0x40):  # memory.size, memory.grow
        r.u32()
    elif op in (0x41, 0x42):
        r.sleb()
    elif op == 0x43:
        r.skip(4)
    elif op == 0x44:
        r.skip(8)
    elif 0x45 <= op <= 0xC4:  # numeric operators without immediates
        pass
    elif op == 0xD0:  # ref.null t
        r.skip(1)
    elif op == 0xFC:
        sub = r.u32()
        if sub <= 7:
            pass
        elif sub == 8:  # memory.init
            r.u32()
            r.u32()
        elif sub in (9, 13, 15, 16, 17):  # data.drop, elem.drop, table.grow/size/fill
            r.u32()
        elif sub in (10, 12, 14):  # memory.copy, table.init, table.copy
            r.u32()
            r.u32()
        elif sub == 11:  # memory.fill
            r.u32()
        else:
            raise Unknown("0xfc %d" % sub)
    else:
        raise Unknown("0x%02x" % op)


def rewrite_body(body, nparams):
    """A function body with the canonicalizing code inserted, or the same bytes if it needs none."""
    r = Reader(body)
    groups = []
    nlocals = 0
    for _ in range(r.u32()):
        n = r.u32()
        t = r.byte()
        groups.append((n, t))
        nlocals += n
    code_start = r.pos
    t32 = nparams + nlocals
    t64 = t32 + 1
    out = bytearray()
    last = code_start
    used = False
    while r.pos < len(body):
        at = r.pos
        op = r.byte()
        if op in CANON_BEFORE:
            out += body[last:at]
            ftype = CANON_BEFORE[op]
            out += canon_code(ftype, t32 if ftype == F32 else t64)
            last = at
            used = True
        skip_immediates(r, op)
    if not used:
        return body
    out += body[last:]
    header = bytearray(uleb(len(groups) + 2))
    for n, t in groups:
        header += uleb(n) + bytes([t])
    header += uleb(1) + bytes([F32]) + uleb(1) + bytes([F64])
    return bytes(header) + bytes(out)


def rewrite(data):
    if data[:8] != b"\x00asm\x01\x00\x00\x00":
        raise Unknown("not a wasm 1 binary")
    r = Reader(data, 8)
    out = bytearray(data[:8])
    types = []
    func_types = []  # type index of every function, imports first
    while r.pos < len(data):
        start = r.pos
        sid = r.byte()
        size = r.u32()
        body_start = r.pos
        end = body_start + size
        if sid == 1:
            for _ in range(r.u32()):
                if r.byte() != 0x60:
                    raise Unknown("type form")
                nparams = r.u32()
                r.skip(nparams)
                r.skip(r.u32())
                types.append(nparams)
        elif sid == 2:
            for _ in range(r.u32()):
                r.skip(r.u32())
                r.skip(r.u32())
                kind = r.byte()
                if kind == 0:
                    func_types.append(r.u32())
                elif kind == 1:
                    r.byte()
                    flags = r.u32()
                    r.u32()
                    if flags & 1:
                        r.u32()
                elif kind == 2:
                    flags = r.u32()
                    r.u32()
                    if flags & 1:
                        r.u32()
                elif kind == 3:
                    r.skip(2)
                else:
                    raise Unknown("import kind")
        elif sid == 3:
            for _ in range(r.u32()):
                func_types.append(r.u32())
        elif sid == 10:
            count = r.u32()
            defined = func_types[len(func_types) - count:]
            section = bytearray(uleb(count))
            for i in range(count):
                fsize = r.u32()
                body = data[r.pos:r.pos + fsize]
                r.skip(fsize)
                new = rewrite_body(body, types[defined[i]])
                section += uleb(len(new)) + new
            out += bytes([sid]) + uleb(len(section)) + section
            r.pos = end
            continue
        out += data[start:end]
        r.pos = end
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: nan_canon.py IN.wasm OUT.wasm")
    with open(sys.argv[1], "rb") as f:
        data = f.read()
    try:
        new = rewrite(data)
    except (Unknown, IndexError) as e:
        sys.stderr.write("nan_canon: %s: unknown instruction or malformed module: %s\n" % (sys.argv[1], e))
        return 1
    with open(sys.argv[2], "wb") as f:
        f.write(new)
    return 0


if __name__ == "__main__":
    sys.exit(main())
