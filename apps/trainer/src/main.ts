import 'reflect-metadata';
import { runService } from '@dcl-enas/cluster';
import { serveTrainer } from './serve';

runService('trainer', () => serveTrainer());
