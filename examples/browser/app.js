// Polyport browser example: @stomp/stompjs and mqtt.js over WebSocket, as
// with RabbitMQ's Web STOMP (15674) and Web MQTT (15675) plugins.
//
// Everything that arrives is listed on the page and kept in
// window.polyport.received ({ via, destination, body }), so a test (or you,
// from the console) can drive the page: polyport.sendStomp(dest, body),
// polyport.publishMqtt(topic, body), polyport.ready.stomp / .mqtt.
/* global StompJs, mqtt */
(function () {
  'use strict';
  const q = new URLSearchParams(location.search);
  const host = location.hostname || '127.0.0.1';
  const stompPort = q.get('stomp') || '15674';
  const mqttPort = q.get('mqtt') || '15675';
  const topic = q.get('topic') || 'browser.in';
  const login = q.get('login') || 'guest';
  const passcode = q.get('passcode') || 'guest';

  const $ = (id) => document.getElementById(id);
  $('stomp-port').textContent = stompPort;
  $('mqtt-port').textContent = mqttPort;

  const state = {
    ready: { stomp: false, mqtt: false },
    received: [],
    errors: [],
    sendStomp,
    publishMqtt,
  };
  window.polyport = state;

  function show(via, destination, body) {
    state.received.push({ via, destination, body });
    const li = document.createElement('li');
    li.dataset.via = via;
    li.textContent = `[${via}] ${destination}: ${body}`;
    $('log').appendChild(li);
  }

  function status(id, text, st) {
    const el = $(id);
    el.textContent = text;
    el.dataset.state = st;
  }

  function fail(via, what) {
    state.errors.push(`${via}: ${what}`);
    status(`${via}-status`, what, 'error');
  }

  // ------------------------------------------------------------ STOMP
  const stomp = new StompJs.Client({
    brokerURL: `ws://${host}:${stompPort}/ws`,
    connectHeaders: { login, passcode, host: '/' },
    reconnectDelay: 2000,
    heartbeatIncoming: 10000,
    heartbeatOutgoing: 10000,
  });
  stomp.onConnect = () => {
    stomp.subscribe(`/topic/${topic}`, (m) => show('stomp', m.headers.destination, m.body));
    // a RECEIPT for the SUBSCRIBE proves the subscription is in place
    const receipt = `sub-${Date.now()}`;
    stomp.watchForReceipt(receipt, () => {
      state.ready.stomp = true;
      status('stomp-status', 'connected', 'connected');
      $('stomp-send').disabled = false;
    });
    stomp.subscribe('/queue/browser-stomp-inbox', (m) => show('stomp', m.headers.destination, m.body), { receipt });
  };
  stomp.onStompError = (f) => fail('stomp', `ERROR ${f.headers.message || ''}`);
  stomp.onWebSocketClose = () => {
    state.ready.stomp = false;
    if ($('stomp-status').dataset.state !== 'error') status('stomp-status', 'disconnected', 'connecting');
  };
  stomp.activate();

  /** SEND with a receipt; resolves once the broker confirmed the message */
  function sendStomp(destination, body) {
    return new Promise((resolve) => {
      const receipt = `send-${Date.now()}-${Math.random()}`;
      stomp.watchForReceipt(receipt, () => resolve(receipt));
      stomp.publish({ destination, body, headers: { receipt, 'content-type': 'text/plain' } });
    });
  }

  // ------------------------------------------------------------ MQTT
  const mqttTopic = topic.split('.').join('/');
  const client = mqtt.connect(`ws://${host}:${mqttPort}/ws`, {
    username: login,
    password: passcode,
    clientId: `browser-${Math.random().toString(16).slice(2, 10)}`,
    protocolVersion: 4,
    reconnectPeriod: 2000,
  });
  client.on('connect', () => {
    client.subscribe(mqttTopic, { qos: 1 }, (err) => {
      if (err) return fail('mqtt', `SUBSCRIBE failed: ${err.message}`);
      state.ready.mqtt = true;
      status('mqtt-status', 'connected', 'connected');
      $('mqtt-send').disabled = false;
    });
  });
  client.on('message', (t, payload) => show('mqtt', t, new TextDecoder().decode(payload)));
  client.on('error', (err) => fail('mqtt', err.message));
  client.on('close', () => {
    state.ready.mqtt = false;
  });

  /** QoS 1 PUBLISH; resolves on PUBACK */
  function publishMqtt(t, body) {
    return new Promise((resolve, reject) => {
      client.publish(t, body, { qos: 1 }, (err) => (err ? reject(err) : resolve(t)));
    });
  }

  // ------------------------------------------------------------ the form
  $('stomp-send').addEventListener('click', () => void sendStomp($('stomp-dest').value, $('stomp-body').value));
  $('mqtt-send').addEventListener('click', () => void publishMqtt($('mqtt-topic').value, $('mqtt-body').value));
})();
