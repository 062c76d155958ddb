import 'reflect-metadata';
import { runService } from '@dcl-enas/cluster';
import { serveEncoder } from './serve';

runService('encoder', () => serveEncoder());
