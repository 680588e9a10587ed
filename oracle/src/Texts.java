import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;

/**
 * Exact exception texts, toString() texts and refCnt facts of 4.1.48 buffers.
 * Run with -Dio.netty.leakDetection.level=disabled (plain classes) and
 * -Dio.netty.leakDetection.samplingInterval=1 (so SIMPLE wraps every buffer).
 */
final class Texts {
    private Texts() {}

    static void run() {
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
        // 1 direct + 1 heap arena, 8 KiB pages, maxOrder 11, no thread caches.
        PooledByteBufAllocator pooled = new PooledByteBufAllocator(true, 1, 1, 8192, 11, 0, 0, 0, true);
        UnpooledByteBufAllocator unpooled = UnpooledByteBufAllocator.DEFAULT;
        Facts.put("env.hasUnsafe", io.netty.util.internal.PlatformDependent.hasUnsafe());
        Facts.put("env.directBufferPreferred", io.netty.util.internal.PlatformDependent.directBufferPreferred());
        Facts.put("env.useDirectBufferNoCleaner", io.netty.util.internal.PlatformDependent.useDirectBufferNoCleaner());

        refcount("pooled", pooled);
        refcount("unpooled", unpooled);
        indexes("pooled.direct", () -> pooled.directBuffer(16, 32));
        indexes("pooled.heap", () -> pooled.heapBuffer(16, 32));
        indexes("unpooled.direct", () -> unpooled.directBuffer(16, 32));
        indexes("unpooled.heap", () -> unpooled.heapBuffer(16, 32));
        allocatorArgs("pooled", pooled);
        allocatorArgs("unpooled", unpooled);
        strings("pooled.direct", pooled.directBuffer(16, 32));
        strings("pooled.heap", pooled.heapBuffer(16, 32));
        strings("unpooled.direct", unpooled.directBuffer(16, 32));
        strings("unpooled.heap", unpooled.heapBuffer(16, 32));
        strings("Unpooled.wrappedBuffer", Unpooled.wrappedBuffer(new byte[16]).clear());
        strings("Unpooled.directBuffer", Unpooled.directBuffer(16, 32));
        copies("pooled.direct", pooled.directBuffer(16, 32));
        copies("pooled.heap", pooled.heapBuffer(16, 32));
        copies("unpooled.direct", unpooled.directBuffer(16, 32));
        copies("unpooled.heap", unpooled.heapBuffer(16, 32));

        for (ResourceLeakDetector.Level level : new ResourceLeakDetector.Level[] {
                ResourceLeakDetector.Level.SIMPLE, ResourceLeakDetector.Level.PARANOID}) {
            ResourceLeakDetector.setLevel(level);
            String p = "leakaware." + level.name().toLowerCase();
            strings(p + ".pooled.direct", pooled.directBuffer(16, 32));
            strings(p + ".unpooled.heap", unpooled.heapBuffer(16, 32));
        }
        ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.DISABLED);
    }

    /** A 16/32 buffer with ridx 2, widx 5: every toString below shows these indexes. */
    private static ByteBuf prepared(ByteBuf b) {
        b.writeBytes(new byte[] {1, 2, 3, 4, 5});
        b.readerIndex(2);
        return b;
    }

    private static void refcount(String p, ByteBufAllocator a) {
        ByteBuf b = a.directBuffer(16);
        b.writeZero(16);
        b.release();
        Facts.expect(p + ".retain_after_release", () -> b.retain());
        Facts.expect(p + ".release_after_release", () -> b.release());
        Facts.expect(p + ".getByte_after_release", () -> b.getByte(0));
        Facts.expect(p + ".readByte_after_release", () -> b.readByte());
        Facts.expect(p + ".writeByte_after_release", () -> b.writeByte(1));
        Facts.expect(p + ".slice_after_release", () -> b.slice(0, 1));
        Facts.expect(p + ".retainedSlice_after_release", () -> b.retainedSlice(0, 1));
        Facts.expect(p + ".duplicate_after_release", () -> b.duplicate());
        Facts.expect(p + ".copy_after_release", () -> b.copy());
        Facts.put(p + ".refCnt_after_release", b.refCnt());

        ByteBuf c = a.directBuffer(16);
        Facts.expect(p + ".release2_when_count1", () -> c.release(2));
        Facts.put(p + ".refCnt_after_failed_release2", c.refCnt());
        Facts.expect(p + ".retain0", () -> c.retain(0));
        Facts.expect(p + ".release0", () -> c.release(0));
        Facts.expect(p + ".retain_negative", () -> c.retain(-1));
        Facts.expect(p + ".retain_1073741822", () -> c.retain(1073741822).refCnt());
        Facts.expect(p + ".retain_overflow", () -> c.retain());
        Facts.put(p + ".refCnt_after_overflow", c.refCnt());
        Facts.expect(p + ".release_1073741823", () -> c.release(1073741823));
        Facts.put(p + ".refCnt_after_full_release", c.refCnt());

        ByteBuf d = a.directBuffer(16);
        Facts.expect(p + ".retain_MAX_VALUE_when_count1", () -> d.retain(Integer.MAX_VALUE));
        Facts.put(p + ".refCnt_after_retain_MAX_VALUE", d.refCnt());
        Facts.expect(p + ".retain_MAX_VALUE_div2_when_count1", () -> d.retain(Integer.MAX_VALUE / 2));
        Facts.put(p + ".refCnt_after_retain_MAX_VALUE_div2", d.refCnt());
        Facts.expect(p + ".retain_after_MAX_VALUE_div2", () -> d.retain());
        d.release(d.refCnt());

        ByteBuf e = a.directBuffer(16);
        e.writeZero(16);
        ByteBuf rs = e.retainedSlice(0, 8);
        Facts.put(p + ".retainedSlice.refCnt_child", rs.refCnt());
        Facts.put(p + ".retainedSlice.refCnt_parent", e.refCnt());
        ByteBuf ss = rs.slice(0, 4);
        Facts.put(p + ".retainedSlice.slice.refCnt", ss.refCnt());
        ByteBuf rd = e.retainedDuplicate();
        Facts.put(p + ".retainedDuplicate.refCnt_child", rd.refCnt());
        Facts.put(p + ".retainedDuplicate.refCnt_parent", e.refCnt());
        Facts.put(p + ".retainedSlice.release_child", rs.release());
        Facts.put(p + ".retainedSlice.refCnt_parent_after_child_release", e.refCnt());
        Facts.put(p + ".retainedSlice.refCnt_child_after_release", rs.refCnt());
        Facts.expect(p + ".retainedSlice.release_child_again", () -> rs.release());
        Facts.put(p + ".retainedDuplicate.release_child", rd.release());
        Facts.put(p + ".refCnt_parent_after_children_released", e.refCnt());
        Facts.expect(p + ".release_parent", () -> e.release());
        Facts.expect(p + ".retainedSlice_out_of_bounds_on_freed", () -> e.retainedSlice(10, 10));

        ByteBuf f = a.directBuffer(16);
        f.writeZero(16);
        Facts.expect(p + ".retainedSlice_out_of_bounds_live", () -> f.retainedSlice(10, 10));
        Facts.put(p + ".refCnt_after_failed_retainedSlice", f.refCnt());
        Facts.expect(p + ".retainedDuplicate_then_slice_oob", () -> f.retainedDuplicate().slice(10, 10));
        f.release(f.refCnt());
    }

    /** Each check gets a fresh 16/32 buffer with ridx 2, widx 5, so no check sees another's growth. */
    private static void indexes(String p, java.util.function.Supplier<ByteBuf> fresh) {
        check(p + ".buf", fresh, b -> b);
        check(p + ".readBytes_4_beyond_writerIndex", fresh, b -> b.readBytes(new byte[4]));
        check(p + ".readBytes(int)_4_beyond_writerIndex", fresh, b -> b.readBytes(4));
        check(p + ".readByte_at_writerIndex", fresh, b -> { b.readerIndex(5); return b.readByte(); });
        check(p + ".readInt_with_3_readable", fresh, b -> b.readInt());
        check(p + ".skipBytes_4_beyond_writerIndex", fresh, b -> b.skipBytes(4));
        check(p + ".writeBytes_28_beyond_maxCapacity", fresh, b -> b.writeBytes(new byte[28]));
        check(p + ".writeZero_28_beyond_maxCapacity", fresh, b -> b.writeZero(28));
        check(p + ".writeBytes_12_grows", fresh, b -> b.writeBytes(new byte[12]));
        check(p + ".ensureWritable_28_beyond_maxCapacity", fresh, b -> b.ensureWritable(28));
        check(p + ".ensureWritable(28,true)", fresh, b -> b.ensureWritable(28, true) + " " + b);
        check(p + ".ensureWritable(28,false)", fresh, b -> b.ensureWritable(28, false) + " " + b);
        check(p + ".ensureWritable_negative", fresh, b -> b.ensureWritable(-1));
        check(p + ".getByte_16_eq_capacity", fresh, b -> b.getByte(16));
        check(p + ".getByte_negative", fresh, b -> b.getByte(-1));
        check(p + ".getInt_14", fresh, b -> b.getInt(14));
        check(p + ".setByte_16_eq_capacity", fresh, b -> b.setByte(16, 0));
        check(p + ".getBytes_index10_len10", fresh, b -> b.getBytes(10, new byte[10]));
        check(p + ".getBytes_dstIndex2_len4_dst4", fresh, b -> b.getBytes(0, new byte[4], 2, 4));
        check(p + ".getBytes_negative_length", fresh, b -> b.getBytes(0, new byte[4], 0, -1));
        check(p + ".readerIndex_6_gt_writerIndex", fresh, b -> b.readerIndex(6));
        check(p + ".readerIndex_negative", fresh, b -> b.readerIndex(-1));
        check(p + ".writerIndex_17_gt_capacity", fresh, b -> b.writerIndex(17));
        check(p + ".writerIndex_1_lt_readerIndex", fresh, b -> b.writerIndex(1));
        check(p + ".setIndex_4_3", fresh, b -> b.setIndex(4, 3));
        check(p + ".capacity_33_gt_max", fresh, b -> b.capacity(33));
        check(p + ".capacity_negative", fresh, b -> b.capacity(-1));
        check(p + ".capacity_3_shrinks", fresh, b -> b.capacity(3));
        check(p + ".slice_10_10_oob", fresh, b -> b.slice(10, 10));
        check(p + ".slice_negative_index", fresh, b -> b.slice(-1, 2));
        check(p + ".readSlice_4_beyond_writerIndex", fresh, b -> b.readSlice(4));
        check(p + ".retainedSlice_10_10_oob", fresh, b -> b.retainedSlice(10, 10));
        check(p + ".refCnt_after_failed_retainedSlice", fresh, b -> { try { b.retainedSlice(10, 10); } catch (IndexOutOfBoundsException e) { } return b.refCnt(); });
        check(p + ".readRetainedSlice_4_beyond_writerIndex", fresh, b -> b.readRetainedSlice(4));
        check(p + ".copy_10_10_oob", fresh, b -> b.copy(10, 10));
        check(p + ".slice.slice_oob", fresh, b -> b.slice(0, 8).slice(4, 8));
        check(p + ".slice.getByte_oob", fresh, b -> b.slice(0, 8).getByte(8));
        check(p + ".slice.capacity_change", fresh, b -> b.slice(0, 8).capacity(4));
        check(p + ".duplicate.capacity_33", fresh, b -> b.duplicate().capacity(33));
        check(p + ".asReadOnly.setByte", fresh, b -> b.asReadOnly().setByte(0, 1));
    }

    private static void check(String key, java.util.function.Supplier<ByteBuf> fresh,
                              java.util.function.Function<ByteBuf, Object> action) {
        ByteBuf b = prepared(fresh.get());
        Facts.expect(key, () -> action.apply(b));
        if (b.refCnt() > 0) b.release(b.refCnt());
    }

    private static void allocatorArgs(String p, ByteBufAllocator a) {
        Facts.expect(p + ".buffer_initial_gt_max", () -> a.buffer(9, 8));
        Facts.expect(p + ".buffer_negative", () -> a.buffer(-1));
        Facts.expect(p + ".directBuffer_negative", () -> a.directBuffer(-1));
        Facts.expect(p + ".heapBuffer_initial_gt_max", () -> a.heapBuffer(9, 8));
        Facts.expect(p + ".buffer_0_0", () -> { ByteBuf b = a.buffer(0, 0); String s = b.toString(); b.release(); return s; });
        Facts.expect(p + ".buffer_0", () -> { ByteBuf b = a.directBuffer(0); String s = b.toString(); b.release(); return s; });
    }

    private static void strings(String p, ByteBuf b) {
        prepared(b);
        Facts.put(p + ".class", b.getClass().getName());
        Facts.put(p + ".toString", b);
        ByteBuf sl = b.slice();
        Facts.put(p + ".slice.toString", sl);
        Facts.put(p + ".slice(1,3).toString", b.slice(1, 3));
        Facts.put(p + ".duplicate.toString", b.duplicate());
        Facts.put(p + ".readSlice(2).toString", b.duplicate().readSlice(2));
        Facts.put(p + ".asReadOnly.toString", b.asReadOnly());
        Facts.put(p + ".order(LE).toString", b.order(java.nio.ByteOrder.LITTLE_ENDIAN));
        ByteBuf rs = b.retainedSlice();
        Facts.put(p + ".retainedSlice.toString", rs);
        Facts.put(p + ".retainedSlice.slice.toString", rs.slice(0, 2));
        Facts.put(p + ".retainedSlice.duplicate.toString", rs.duplicate());
        ByteBuf rsrs = rs.retainedSlice(0, 2);
        Facts.put(p + ".retainedSlice.retainedSlice.toString", rsrs);
        ByteBuf rd = b.retainedDuplicate();
        Facts.put(p + ".retainedDuplicate.toString", rd);
        rsrs.release();
        rs.release();
        Facts.put(p + ".retainedSlice.toString_after_release", rs);
        rd.release();
        Facts.put(p + ".retainedDuplicate.toString_after_release", rd);
        b.release();
        Facts.put(p + ".toString_after_release", b);
        Facts.put(p + ".slice.toString_after_release", sl);
        Facts.expect(p + ".getByte_after_release", () -> b.getByte(0));
        Facts.expect(p + ".slice.getByte_after_release", () -> sl.getByte(0));
    }

    private static void copies(String p, ByteBuf b) {
        prepared(b);
        ByteBuf c = b.copy();
        Facts.put(p + ".copy.class", c.getClass().getName());
        Facts.put(p + ".copy.toString", c);
        Facts.put(p + ".copy.maxCapacity", c.maxCapacity());
        Facts.put(p + ".copy.refCnt", c.refCnt());
        ByteBuf c2 = b.copy(0, 16);
        Facts.put(p + ".copy(0,16).toString", c2);
        ByteBuf sc = b.slice(0, 4).copy();
        Facts.put(p + ".slice.copy.toString", sc);
        c.release();
        c2.release();
        sc.release();
        b.release();
    }
}
