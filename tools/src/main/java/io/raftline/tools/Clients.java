package io.raftline.tools;

import io.raftline.client.RaftlineClient;

import java.nio.file.Path;

/** The command line's link to a cluster is the client library's, made from the cluster file as any user would. */
final class Clients
{
    private Clients()
    {
    }

    /** A client of the cluster the file describes, receiving replies at {@code bind} (null: chosen for it). */
    static RaftlineClient connect(final Path clusterFile, final String bind)
    {
        return RaftlineClient.connect(new RaftlineClient.Context().clusterFile(clusterFile).bind(bind));
    }
}
