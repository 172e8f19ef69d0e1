package io.raftline.io.storage;

import net.openhft.chronicle.core.Jvm;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Method;
import java.util.zip.CRC32C;

/**
 * CRC32C of memory at an address (a mapped segment, a direct buffer) with the JDK's intrinsic and no allocation.
 * It calls {@code CRC32C.updateDirectByteBuffer} directly, made accessible through Chronicle's {@link Jvm} (which
 * the {@code --add-opens=java.base/java.lang.reflect} flag every Raftline JVM has enables); Agrona's {@code Crc32c}
 * would need {@code --add-opens=java.base/java.util.zip} as well.
 */
final class Checksums
{
    private static final MethodHandle UPDATE_DIRECT_BYTE_BUFFER = updateDirectByteBuffer();

    private Checksums()
    {
    }

    /** CRC32C of {@code length} bytes at {@code address + offset}. */
    static int crc32c(final long address, final int offset, final int length)
    {
        try
        {
            return ~(int)UPDATE_DIRECT_BYTE_BUFFER.invokeExact(-1, address, offset, offset + length);
        }
        catch (final Throwable ex)
        {
            throw new IllegalStateException("CRC32C failed", ex);
        }
    }

    private static MethodHandle updateDirectByteBuffer()
    {
        try
        {
            final Method method = Jvm.getMethod(CRC32C.class, "updateDirectByteBuffer", int.class, long.class,
                int.class, int.class);
            return MethodHandles.lookup().unreflect(method);
        }
        catch (final RuntimeException | IllegalAccessException ex)
        {
            throw new StorageException("cannot reach the JDK's CRC32C for mapped memory; run the JVM with the flags " +
                "in the README (--add-opens=java.base/java.lang.reflect=ALL-UNNAMED and others)", ex);
        }
    }
}
