package io.raftline.client;

import io.raftline.protocol.security.ClusterSecrets;
import io.raftline.protocol.config.ClusterConfig;
import io.raftline.io.node.NodeStatus;
import io.raftline.io.node.NodeStatusReader;
import io.raftline.io.node.RaftlineNode;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.nio.file.Path;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/** Test fixture: three nodes in this JVM on loopback ports after {@code basePort}, with extra cluster settings. */
final class InProcessCluster implements AutoCloseable
{
    final ClusterConfig config;
    /** The cluster file's settings, the secrets' files included. */
    final Properties properties = new Properties();
    final RaftlineNode[] nodes = new RaftlineNode[3];

    InProcessCluster(final Path dir, final String clusterId, final int basePort, final String... settings)
    {
        properties.setProperty("cluster.id", clusterId);
        for (int i = 0; i + 1 < settings.length; i += 2)
        {
            properties.setProperty(settings[i], settings[i + 1]);
        }
        for (int id = 1; id <= nodes.length; id++)
        {
            properties.setProperty("node." + id, "127.0.0.1:" + (basePort + id));
        }
        if (!properties.containsKey(ClusterConfig.AUTHENTICATION) && !properties.containsKey(ClusterConfig.CLUSTER_KEY_FILE))
        {
            secure(dir, properties);
        }
        config = ClusterConfig.parse(properties, dir);
        for (int id = 1; id <= nodes.length; id++)
        {
            nodes[id - 1] = RaftlineNode.start(config, id, true);
        }
    }

    /** Writes the cluster's key and an admin credential in {@code dir} and names them in {@code properties}. */
    static void secure(final Path dir, final Properties properties)
    {
        properties.putAll(ClusterSecrets.createIn(dir));
    }

    /** Node {@code id}'s counters. */
    NodeStatus status(final int id)
    {
        return NodeStatusReader.read(config, id);
    }

    /** Waits for a node that says it leads; returns its id. */
    int awaitLeader() throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadlineNs)
        {
            for (int id = 1; id <= nodes.length; id++)
            {
                if (status(id).isLeader())
                {
                    return id;
                }
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no leader");
    }

    /** Stops node {@code id} and starts it again on its data directory. */
    void restart(final int id)
    {
        nodes[id - 1].close();
        nodes[id - 1] = RaftlineNode.start(config, id, true);
    }

    @Override
    public void close()
    {
        CloseHelper.closeAll(nodes);
        for (final ClusterConfig.Member member : config.members().values())
        {
            IoUtil.delete(new File(RaftlineNode.aeronDirectory(config, member)), true);
        }
    }
}
