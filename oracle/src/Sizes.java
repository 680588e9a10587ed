import io.netty.buffer.ByteBuf;
import io.netty.buffer.PoolArenaMetric;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.util.NettyRuntime;
import io.netty.util.internal.PlatformDependent;
import java.lang.reflect.Field;

/** Size normalization of the 4.1.48 (tiny/small/normal/huge) allocator and DEFAULT's metrics. */
final class Sizes {
    private Sizes() {}

    static final int[] REQUESTS = {0, 1, 15, 16, 17, 32, 496, 497, 511, 512, 513, 1000, 1024, 2048, 4095, 4096, 4097,
        8191, 8192, 8193, 16384, 65536, 1 << 20, 16 << 20, (16 << 20) + 1};

    static void run() throws Exception {
        // directArenas=1, pageSize 8192, maxOrder 11 (16 MiB chunks), no thread caches so nothing is reused.
        PooledByteBufAllocator a = new PooledByteBufAllocator(true, 0, 1, 8192, 11, 0, 0, 0, true);
        PoolArenaMetric arena = a.metric().directArenas().get(0);
        Field maxLength = Class.forName("io.netty.buffer.PooledByteBuf").getDeclaredField("maxLength");
        maxLength.setAccessible(true);
        Facts.put("sizes.allocator", "new PooledByteBufAllocator(true, 0, 1, 8192, 11, 0, 0, 0, true)");
        for (int n : REQUESTS) {
            long[] before = counters(arena);
            ByteBuf b;
            try {
                b = a.directBuffer(n);
            } catch (Throwable t) {
                Facts.put("size." + n, Facts.describe(t));
                continue;
            }
            long[] after = counters(arena);
            String cls = "?";
            String[] names = {"tiny", "small", "normal", "huge"};
            for (int i = 0; i < 4; i++) if (after[i] != before[i]) cls = names[i];
            Facts.put("size." + n, "maxLength=" + maxLength.getInt(b) + " class=" + cls + " capacity=" + b.capacity()
                + " maxFastWritableBytes=" + b.maxFastWritableBytes() + " activeBytes=" + arena.numActiveBytes());
            b.release();
        }

        Facts.put("runtime.maxMemory", Runtime.getRuntime().maxMemory());
        Facts.put("runtime.availableProcessors", Runtime.getRuntime().availableProcessors());
        Facts.put("NettyRuntime.availableProcessors", NettyRuntime.availableProcessors());
        Facts.put("PlatformDependent.maxDirectMemory", PlatformDependent.maxDirectMemory());
        Facts.put("PlatformDependent.hasUnsafe", PlatformDependent.hasUnsafe());
        Facts.put("PlatformDependent.useDirectBufferNoCleaner", PlatformDependent.useDirectBufferNoCleaner());
        Facts.put("defaultNumHeapArena", PooledByteBufAllocator.defaultNumHeapArena());
        Facts.put("defaultNumDirectArena", PooledByteBufAllocator.defaultNumDirectArena());
        Facts.put("defaultPageSize", PooledByteBufAllocator.defaultPageSize());
        Facts.put("defaultMaxOrder", PooledByteBufAllocator.defaultMaxOrder());
        Facts.put("defaultTinyCacheSize", PooledByteBufAllocator.defaultTinyCacheSize());
        Facts.put("defaultSmallCacheSize", PooledByteBufAllocator.defaultSmallCacheSize());
        Facts.put("defaultNormalCacheSize", PooledByteBufAllocator.defaultNormalCacheSize());
        Facts.put("defaultUseCacheForAllThreads", PooledByteBufAllocator.defaultUseCacheForAllThreads());
        Facts.put("defaultPreferDirect", PooledByteBufAllocator.defaultPreferDirect());
        PooledByteBufAllocatorMetric m = PooledByteBufAllocator.DEFAULT.metric();
        Facts.put("DEFAULT.numDirectArenas", m.numDirectArenas());
        Facts.put("DEFAULT.numHeapArenas", m.numHeapArenas());
        Facts.put("DEFAULT.chunkSize", m.chunkSize());
        Facts.put("DEFAULT.tinyCacheSize", m.tinyCacheSize());
        Facts.put("DEFAULT.smallCacheSize", m.smallCacheSize());
        Facts.put("DEFAULT.normalCacheSize", m.normalCacheSize());
        ByteBuf d = PooledByteBufAllocator.DEFAULT.directBuffer(1024);
        Facts.put("DEFAULT.directBuffer(1024).class", d.getClass().getName());
        d.release();
        ByteBuf h = PooledByteBufAllocator.DEFAULT.heapBuffer(1024);
        Facts.put("DEFAULT.heapBuffer(1024).class", h.getClass().getName());
        h.release();
    }

    private static long[] counters(PoolArenaMetric m) {
        return new long[] {m.numTinyAllocations(), m.numSmallAllocations(), m.numNormalAllocations(), m.numHugeAllocations()};
    }
}
