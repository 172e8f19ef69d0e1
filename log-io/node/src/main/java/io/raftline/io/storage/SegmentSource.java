package io.raftline.io.storage;

import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;

/** What a {@link LogCursor} reads from: the writer's {@link ChronicleLog} or a read-only {@link LogInspector}. */
interface SegmentSource
{
    SingleChronicleQueue queue();

    SegmentTable segments();

    long firstIndex();

    long lastIndex();

    /** Makes entries from {@code index} on readable through Chronicle (a writer's open document is closed). */
    void makeReadable(long index);

    /** The cycle file's name, for error messages. */
    String fileName(int cycle);
}
