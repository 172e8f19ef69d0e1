package io.raftline.client;

import io.raftline.protocol.AeronRuntime;
import io.raftline.protocol.config.ClusterConfig;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;

/**
 * A client's embedded media driver and its folder ({@link ClientDirectories}): made after removing the folders of
 * client processes that died, removed on close, and by a shutdown hook if the process stops first.
 */
final class ClientDriver implements AutoCloseable
{
    private final File directory;
    private final Thread cleanup;
    private final AeronRuntime runtime;

    ClientDriver(final ClusterConfig config, final long id)
    {
        this.directory = ClientDirectories.forThisProcess(id);
        ClientDirectories.deleteStale(directory);
        this.cleanup = ClientDirectories.deleteOnExit(directory);
        this.runtime = AeronRuntime.embedded(directory.getPath(), config.mtuBytes(), config.socketBufferBytes(), false);
    }

    AeronRuntime runtime()
    {
        return runtime;
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(runtime);
        IoUtil.delete(directory, true);
        ClientDirectories.forget(cleanup);
    }
}
