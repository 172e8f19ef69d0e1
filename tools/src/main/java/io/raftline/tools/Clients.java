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
        return connect(clusterFile, bind, null);
    }

    /** As above, proving {@code credentials} (null: the cluster file's {@code client.credentials.file}). */
    static RaftlineClient connect(final Path clusterFile, final String bind, final Path credentials)
    {
        return RaftlineClient.connect(context(clusterFile, bind, credentials));
    }

    /** The context such a client is made with, for a caller that sets more. */
    static RaftlineClient.Context context(final Path clusterFile, final String bind, final Path credentials)
    {
        final RaftlineClient.Context context = new RaftlineClient.Context().clusterFile(clusterFile).bind(bind);
        return credentials == null ? context : context.credentials(credentials);
    }
}
