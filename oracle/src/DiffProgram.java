import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PoolChunkListMetric;
import io.netty.buffer.PoolChunkMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One program on a fresh thread with a fresh `PooledByteBufAllocator` and
 * `UnpooledByteBufAllocator`. Op lines (handles are the trace's stable ids; CREATES is
 * the id a creating op assigns, `-` otherwise):
 *
 *   alloc C POOLED DIRECT SIZE MAX   write - BUF LEN PATTERN   read - BUF LEN
 *   set_capacity - BUF CAP           copy|slice|duplicate|retained_slice|retained_duplicate C BUF
 *   as_read_only|unreleasable C BUF
 *   read_slice|read_retained_slice C BUF LEN   retain|release - BUF K   drop - BUF
 *   gc -   trim_cache -   free_cache -
 *
 * After each op it prints `step I NAME RESULT`, then one line per held handle, one per
 * pooled arena and one for the unpooled allocator and the direct counter; the Rust side
 * (sim/src/diff/observe.rs) prints the same lines from the model.
 */
final class DiffProgram implements Runnable {
    private final Diff.Program program;
    private final long baseline;
    private final StringBuilder out = new StringBuilder(1 << 12);
    private final TreeMap<Integer, ByteBuf> held = new TreeMap<>();
    /** Every buffer the program obtained, released at its end (see cleanup). */
    private final List<ByteBuf> all = new ArrayList<>();
    private PooledByteBufAllocator pooled;
    private UnpooledByteBufAllocator unpooled;

    DiffProgram(Diff.Program program, long baseline) {
        this.program = program;
        this.baseline = baseline;
    }

    String output() {
        return out.toString();
    }

    /** Null when the op line is well formed, else what is wrong with it. */
    static String validate(String[] f) {
        int args;
        switch (f[0]) {
            case "alloc": args = 4; break;
            case "write": args = 3; break;
            case "read": case "set_capacity": case "read_slice": case "read_retained_slice":
            case "retain": case "release": args = 2; break;
            case "copy": case "slice": case "duplicate": case "retained_slice": case "retained_duplicate":
            case "as_read_only": case "unreleasable": case "drop": args = 1; break;
            case "gc": case "trim_cache": case "free_cache": args = 0; break;
            default: return "unknown op `" + f[0] + "`";
        }
        // A read may end with START END pairs: the bytes Java leaves unspecified.
        boolean ranges = f[0].equals("read") && f.length > args + 2;
        if (ranges ? (f.length - args - 2) % 2 != 0 : f.length != args + 2) {
            return "op " + f[0] + " takes " + args + " arguments after CREATES"
                + (f[0].equals("read") ? " and START END pairs" : "") + ", got " + (f.length - 2);
        }
        if (!f[1].equals("-") && !f[1].matches("[0-9]+")) {
            return "op " + f[0] + ": CREATES must be `-` or a handle id, got `" + f[1] + "`";
        }
        for (int k = 2; k < f.length; k++) {
            if (!f[k].matches("-?[0-9]+")) {
                return "op " + f[0] + ": argument " + (k - 1) + " is not an integer: `" + f[k] + "`";
            }
        }
        return null;
    }

    @Override
    public void run() {
        String[] h = program.header;
        out.append("program ").append(program.name).append('\n');
        try {
            pooled = new PooledByteBufAllocator(h[1].equals("1"), i(h[2]), i(h[3]), i(h[4]), i(h[5]),
                    i(h[6]), i(h[7]), i(h[8]), h[9].equals("1"), i(h[10]));
        } catch (Throwable e) {
            out.append("rejected ").append(text(e)).append('\n');
            out.append("end ").append(program.name).append('\n');
            return;
        }
        unpooled = new UnpooledByteBufAllocator(true);
        List<String[]> ops = program.ops;
        for (int s = 0; s < ops.size(); s++) {
            String[] f = ops.get(s);
            out.append("step ").append(s).append(' ').append(f[0]).append(' ').append(apply(f)).append('\n');
            observe();
        }
        out.append("end ").append(program.name).append('\n');
        cleanup();
    }

    /**
     * After the last observation: releases every buffer still counted and frees this
     * thread's cache, so that unpooled no-Cleaner memory (which no GC returns) comes
     * back and the next program's barrier can bring the counter to its baseline.
     */
    private void cleanup() {
        for (ByteBuf b : all) {
            try {
                int n = b.refCnt();
                if (n > 0) {
                    b.release(n);
                }
            } catch (Throwable ignored) {
                // A derivative whose count is its parent's, already released.
            }
        }
        pooled.freeThreadLocalCache();
    }

    private static int i(String s) {
        return Integer.parseInt(s);
    }

    private String apply(String[] f) {
        String op = f[0];
        switch (op) {
            case "gc":
                System.gc();
                System.runFinalization();
                return "ok";
            case "trim_cache":
                return "ok " + pooled.trimCurrentThreadCache();
            case "free_cache":
                pooled.freeThreadLocalCache();
                return "ok";
            case "alloc":
                try {
                    int size = i(f[4]);
                    int max = i(f[5]);
                    boolean direct = f[3].equals("1");
                    io.netty.buffer.ByteBufAllocator a = f[2].equals("1") ? pooled : unpooled;
                    return created(f, direct ? a.directBuffer(size, max) : a.heapBuffer(size, max));
                } catch (Throwable e) {
                    return "err " + text(e);
                }
            default:
                break;
        }
        ByteBuf buf = held.get(i(f[2]));
        if (buf == null) {
            return "skip";
        }
        try {
            switch (op) {
                case "drop":
                    held.remove(i(f[2]));
                    return "ok";
                case "write":
                    buf.writeBytes(pattern(i(f[4]), i(f[3])));
                    return "ok";
                case "read": {
                    byte[] dst = new byte[i(f[3])];
                    buf.readBytes(dst);
                    String masked = unspecified(dst, f);
                    return "ok bytes " + dst.length + " " + fnv(dst) + masked;
                }
                case "set_capacity":
                    buf.capacity(i(f[3]));
                    return "ok";
                case "retain":
                    buf.retain(i(f[3]));
                    return "ok";
                case "release":
                    return "ok " + buf.release(i(f[3]));
                case "copy": return created(f, buf.copy());
                case "slice": return created(f, buf.slice());
                case "duplicate": return created(f, buf.duplicate());
                case "retained_slice": return created(f, buf.retainedSlice());
                case "retained_duplicate": return created(f, buf.retainedDuplicate());
                case "as_read_only": return created(f, buf.asReadOnly());
                case "unreleasable": return created(f, Unpooled.unreleasableBuffer(buf));
                case "read_slice": return created(f, buf.readSlice(i(f[3])));
                case "read_retained_slice": return created(f, buf.readRetainedSlice(i(f[3])));
                default: throw new IllegalStateException("validated op " + op);
            }
        } catch (Throwable e) {
            return "err " + text(e);
        }
    }

    private String created(String[] f, ByteBuf b) {
        all.add(b);
        if (f[1].equals("-")) {
            return "ok new";
        }
        int id = i(f[1]);
        held.put(id, b);
        return "ok #" + id;
    }

    /** The op language's pattern: byte i is ((seed + i) * 31 + 7) mod 256. */
    static byte[] pattern(int seed, int len) {
        byte[] b = new byte[len];
        for (int k = 0; k < len; k++) {
            b[k] = (byte) ((((seed + k) & 0xff) * 31 + 7) & 0xff);
        }
        return b;
    }

    /**
     * Zeroes the bytes of {@code dst} in the op line's START END ranges (what Java leaves
     * unspecified, e.g. a tail {@code Unsafe.reallocateMemory} grew) and names how many,
     * as {@code sim/src/diff/unspecified.rs} does on the model's side.
     */
    static String unspecified(byte[] dst, String[] f) {
        int n = 0;
        for (int k = 4; k + 1 < f.length; k += 2) {
            int from = Math.max(0, Math.min(i(f[k]), dst.length));
            int to = Math.max(from, Math.min(i(f[k + 1]), dst.length));
            java.util.Arrays.fill(dst, from, to, (byte) 0);
            n += to - from;
        }
        return n == 0 ? "" : " unspecified " + n;
    }

    /** 64-bit FNV-1a, as `leakproof_sim::trace::fnv1a`. */
    static String fnv(byte[] bytes) {
        long h = 0xcbf29ce484222325L;
        for (byte b : bytes) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return String.format("%016x", h);
    }

    static String text(Throwable e) {
        return e.toString().replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r");
    }

    private void observe() {
        for (Map.Entry<Integer, ByteBuf> e : held.entrySet()) {
            ByteBuf b = e.getValue();
            out.append(" #").append(e.getKey()).append(" ref=").append(b.refCnt())
                    .append(" cap=").append(b.capacity()).append(" max=").append(b.maxCapacity())
                    .append(" r=").append(b.readerIndex()).append(" w=").append(b.writerIndex()).append('\n');
        }
        arenas("heap", pooled.metric().heapArenas());
        arenas("direct", pooled.metric().directArenas());
        long used = PlatformDependent.usedDirectMemory();
        out.append(" unpooled heap=").append(unpooled.metric().usedHeapMemory())
                .append(" direct=").append(unpooled.metric().usedDirectMemory())
                .append(" counter=").append(used < 0 ? -1 : used - baseline).append('\n');
    }

    private void arenas(String kind, List<PoolArenaMetric> arenas) {
        for (int a = 0; a < arenas.size(); a++) {
            PoolArenaMetric m = arenas.get(a);
            out.append(' ').append(kind).append(a)
                    .append(" threads=").append(m.numThreadCaches())
                    .append(" alloc=").append(m.numTinyAllocations()).append('/').append(m.numSmallAllocations())
                    .append('/').append(m.numNormalAllocations()).append('/').append(m.numHugeAllocations())
                    .append(" dealloc=").append(m.numTinyDeallocations()).append('/').append(m.numSmallDeallocations())
                    .append('/').append(m.numNormalDeallocations()).append('/').append(m.numHugeDeallocations())
                    .append(" active=").append(m.numActiveAllocations())
                    .append(" bytes=").append(m.numActiveBytes())
                    .append(" lists=");
            List<PoolChunkListMetric> lists = m.chunkLists();
            for (int l = 0; l < lists.size(); l++) {
                if (l > 0) {
                    out.append('|');
                }
                boolean first = true;
                for (PoolChunkMetric c : lists.get(l)) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    out.append(c.usage()).append(':').append(c.freeBytes());
                }
            }
            out.append('\n');
        }
    }
}
