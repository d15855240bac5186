#!/usr/bin/env node
import 'reflect-metadata';
import { processCliIo } from './cli/cli.io.js';
import { runCli } from './cli/cli.runner.js';

process.exitCode = await runCli(process.argv.slice(2), processCliIo());
