package io.raftline.benchmarks;

import io.raftline.protocol.security.ClusterSecrets;
import io.raftline.io.node.RaftlineNode;
import io.raftline.io.transport.LoopbackPorts;
import io.raftline.protocol.config.ClusterConfig;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Three nodes in the benchmark's JVM (each its own agent thread and embedded Aeron driver) on free loopback
 * ports, their logs in a temporary folder on the local disk with page-cache durability.
 */
final class InJvmCluster implements AutoCloseable
{
    static final int NODES = 3;

    private final RaftlineNode[] nodes = new RaftlineNode[NODES];
    private final Path dir;
    private final ClusterConfig config;

    InJvmCluster(final String name) throws IOException
    {
        dir = Files.createTempDirectory(Path.of(System.getProperty("java.io.tmpdir")), "raftline-jmh-" + name + "-");
        final Properties properties = new Properties();
        properties.setProperty(ClusterConfig.CLUSTER_ID, "jmh-" + name + "-" + ProcessHandle.current().pid());
        final int basePort = LoopbackPorts.freeBase(NODES);
        for (int id = 1; id <= NODES; id++)
        {
            properties.setProperty("node." + id, "127.0.0.1:" + (basePort + id - 1));
        }
        properties.setProperty(ClusterConfig.DURABILITY, "page-cache");
        properties.putAll(ClusterSecrets.createIn(dir)); // authenticated, as a cluster runs by default
        config = ClusterConfig.parse(properties, dir);
        try
        {
            for (int id = 1; id <= NODES; id++)
            {
                nodes[id - 1] = RaftlineNode.start(config, id, true);
            }
        }
        catch (final RuntimeException ex)
        {
            close();
            throw ex;
        }
    }

    ClusterConfig config()
    {
        return config;
    }

    @Override
    public void close()
    {
        CloseHelper.quietCloseAll(nodes);
        for (final ClusterConfig.Member member : config.members().values())
        {
            IoUtil.delete(new File(RaftlineNode.aeronDirectory(config, member)), true);
        }
        IoUtil.delete(dir.toFile(), true);
    }
}
