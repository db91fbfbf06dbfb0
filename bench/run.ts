// Entry point for `npm run bench` (package.json runs dist/bench/run.js): the AMQP bench CLI.
import './amqp.js';
