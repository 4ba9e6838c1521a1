# Publishes with Debian's python3-paho-mqtt (1.6) and its defaults: MQTT 3.1.1, a zero-length client id (the broker
# assigns one), clean session. Usage: paho_publish.py HOST PORT USER PASSWORD MESSAGES_JSON  (USER "" = none)
# MESSAGES_JSON: [{"topic": ..., "payload": ..., "qos": 0|1|2}, ...]. Exit 0 all published, 3 refused, 4 not acknowledged.
import json
import sys
import threading

import paho.mqtt.client as mqtt

host, port, user, password, messages = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], json.loads(sys.argv[5])
connected = threading.Event()
result = {}


def on_connect(client, userdata, flags, rc):
    result["rc"] = rc
    connected.set()


client = mqtt.Client()
client.on_connect = on_connect
if user:
    client.username_pw_set(user, password)
client.connect(host, port)
client.loop_start()
if not connected.wait(10) or result["rc"] != 0:
    print("refused", result.get("rc"), flush=True)
    sys.exit(3)
for m in messages:
    info = client.publish(m["topic"], m["payload"], qos=m["qos"])
    info.wait_for_publish(10)
    if m["qos"] > 0 and not info.is_published():
        print("not acknowledged", m["topic"], flush=True)
        sys.exit(4)
client.disconnect()
client.loop_stop()
print("published", len(messages), flush=True)
