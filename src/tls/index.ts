export {
  buildHttpsOptions,
  readTlsMaterial,
  toSecureContextOptions,
  verifiedClientCommonName,
  type TlsFileConfig,
  type TlsMaterial,
} from './https-options';
export {
  asSecureContextTarget,
  CertificateReloader,
  type CertificateReloaderOptions,
  type ReloaderLogger,
  type ReloadOutcome,
  type SecureContextTarget,
} from './certificate-reloader';
