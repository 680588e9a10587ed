import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;

/**
 * The incident experiment: one SIZE buffer filled with 0x01, then COPIES copy() calls,
 * each printed as "allocate - i", optionally released. A Throwable ends the run the way
 * an uncaught one ends `java`: "Exception in thread "main" class: message", exit 1.
 * Lines that are not the program's own output are facts prefixed "fact." (key TAB value).
 */
final class CopyLoop {
    private CopyLoop() {}

    static void run(String kind, int size, int copies, boolean release) {
        Facts.put("fact.kind", kind);
        Facts.put("fact.release", release);
        Facts.put("fact.runtime.maxMemory", Runtime.getRuntime().maxMemory());
        Facts.put("fact.maxDirectMemory", PlatformDependent.maxDirectMemory());
        int status = 0;
        try {
            ByteBuf buf = allocate(kind, size);
            Facts.put("fact.buf.class", bareClass(buf));
            for (int j = 0; j < size; j++) buf.writeByte(1);
            for (int i = 0; i < copies; i++) {
                ByteBuf ref = buf.copy();
                if (i == 0) Facts.put("fact.copy.class", bareClass(ref));
                System.out.println("allocate - " + i);
                if (release) ref.release();
            }
        } catch (Throwable t) {
            System.out.println("Exception in thread \"main\" " + Facts.describe(t));
            // Java's uncaught-exception output then lists the causes (frames omitted here).
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                System.out.println("Caused by: " + Facts.describe(c));
            }
            status = 1;
        }
        Facts.put("fact.usedDirectMemory", PlatformDependent.usedDirectMemory());
        if (PooledByteBufAllocator.DEFAULT.metric() != null) {
            Facts.put("fact.DEFAULT.numDirectArenas", PooledByteBufAllocator.DEFAULT.metric().numDirectArenas());
            Facts.put("fact.DEFAULT.numHeapArenas", PooledByteBufAllocator.DEFAULT.metric().numHeapArenas());
            Facts.put("fact.DEFAULT.chunkSize", PooledByteBufAllocator.DEFAULT.metric().chunkSize());
        }
        System.out.flush();
        System.exit(status);
    }

    /** The buffer's class without the leak-aware wrapper that SIMPLE sampling adds to ~1 in 128. */
    static String bareClass(ByteBuf b) {
        String n = b.getClass().getName();
        return n.contains("LeakAware") ? b.unwrap().getClass().getName() : n;
    }

    /** Which allocator call makes each kind; run.sh supplies the flags (noUnsafe, maxDirectMemory=0). */
    static ByteBuf allocate(String kind, int size) {
        ByteBufAllocator pooled = PooledByteBufAllocator.DEFAULT;
        ByteBufAllocator unpooled = UnpooledByteBufAllocator.DEFAULT;
        switch (kind) {
            case "pooled-unsafe-direct":
            case "pooled-direct":
                return pooled.directBuffer(size, size);
            case "pooled-unsafe-heap":
            case "pooled-heap":
                return pooled.heapBuffer(size, size);
            case "unpooled-direct":
            case "unpooled-unsafe-direct":
            case "unpooled-unsafe-nocleaner-direct":
                return unpooled.directBuffer(size, size);
            case "unpooled-heap":
            case "unpooled-unsafe-heap":
                return unpooled.heapBuffer(size, size);
            default:
                throw new IllegalArgumentException("unknown kind " + kind);
        }
    }
}
