import { Module } from '@nestjs/common';
import { ReconstructionService } from './reconstruction.service';

@Module({
  providers: [ReconstructionService],
  exports: [ReconstructionService],
})
export class ReconstructionModule {}
