import 'reflect-metadata';
import { runService } from '@dcl-enas/cluster';
import { serveOrchestrator } from './serve';

runService('orchestrator', () => serveOrchestrator());
