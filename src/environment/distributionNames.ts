/**
 * Which distribution to install for an import name that is missing. Most distributions are named
 * after their module; these well-known ones are not (`import yaml` comes from PyYAML).
 */
import { normalizeName } from "./dependencyFiles.js";

const KNOWN: Record<string, string> = {
  yaml: "PyYAML",
  PIL: "Pillow",
  cv2: "opencv-python",
  sklearn: "scikit-learn",
  skimage: "scikit-image",
  bs4: "beautifulsoup4",
  dateutil: "python-dateutil",
  dotenv: "python-dotenv",
  jwt: "PyJWT",
  Crypto: "pycryptodome",
  OpenSSL: "pyOpenSSL",
  attr: "attrs",
  serial: "pyserial",
  magic: "python-magic",
  multipart: "python-multipart",
  jose: "python-jose",
  MySQLdb: "mysqlclient",
  psycopg2: "psycopg2-binary",
  docx: "python-docx",
  pptx: "python-pptx",
  git: "GitPython",
  zmq: "pyzmq",
  google: "protobuf",
  grpc: "grpcio",
  fitz: "PyMuPDF",
  slugify: "python-slugify",
  Levenshtein: "python-Levenshtein",
  ldap: "python-ldap",
  nacl: "PyNaCl",
  websocket: "websocket-client",
  win32api: "pywin32",
  kafka: "kafka-python",
  telegram: "python-telegram-bot",
  pkg_resources: "setuptools",
  setuptools: "setuptools",
};

/** The distribution that provides the top-level module of `module` (`yaml.constructor` -> PyYAML). */
export function distributionFor(module: string): string {
  const top = module.split(".")[0] ?? module;
  return KNOWN[top] ?? top;
}

/** Whether a declared distribution (normalised name) provides `module`. */
export function provides(declaredName: string, module: string): boolean {
  const top = module.split(".")[0] ?? module;
  return declaredName === normalizeName(distributionFor(top)) || declaredName === normalizeName(top);
}
