package io.raftline.example;

import io.raftline.protocol.security.ClusterSecrets;
import io.raftline.io.node.RaftlineNode;
import io.raftline.protocol.config.ClusterConfig;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The example against a 3-node cluster in this JVM: every order read back once, in order. */
@Timeout(120)
class OrdersExampleTest
{
    @Test
    void everyOrderIsReadBackOnceInOrder(@TempDir final Path dir)
    {
        final Properties properties = new Properties();
        properties.setProperty("cluster.id", "orders");
        final Map<Integer, String> endpoints = new TreeMap<>();
        for (int id = 1; id <= 3; id++)
        {
            endpoints.put(id, "127.0.0.1:" + (22550 + id));
            properties.setProperty("node." + id, endpoints.get(id));
        }
        properties.putAll(ClusterSecrets.createIn(dir));
        final ClusterConfig config = ClusterConfig.parse(properties, dir);
        final RaftlineNode[] nodes = new RaftlineNode[3];
        try
        {
            for (int id = 1; id <= 3; id++)
            {
                nodes[id - 1] = RaftlineNode.start(config, id, true);
            }
            final List<String> orders = OrdersExample.run("orders", config.clientCredentialsFile(),
                Map.of(2, endpoints.get(2)), 200);
            assertEquals(200, orders.size());
            for (int i = 0; i < orders.size(); i++)
            {
                assertEquals("order-" + i, orders.get(i));
            }
        }
        finally
        {
            CloseHelper.closeAll(nodes);
            for (final ClusterConfig.Member member : config.members().values())
            {
                IoUtil.delete(new File(RaftlineNode.aeronDirectory(config, member)), true);
            }
        }
    }
}
