import { Logger } from '@nestjs/common';

/** The storage layer's unsolicited warnings (see `StorageWarn`), on the gateway's thread. */
export function warnStorage(message: string): void {
  new Logger('Storage').warn(message);
}
