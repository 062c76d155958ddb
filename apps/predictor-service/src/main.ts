import 'reflect-metadata';
import { runService } from '@dcl-enas/cluster';
import { servePredictor } from './serve';

runService('predictor', () => servePredictor());
