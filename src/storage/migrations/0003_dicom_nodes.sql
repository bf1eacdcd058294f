-- Remote DICOM nodes (PACS, modalities, workstations) an institution works
-- with. A node is both who may call us (calling AE title + host) and where we
-- send (C-MOVE destination, result push target).
CREATE TABLE dicom_nodes (
  id             TEXT PRIMARY KEY,
  institution_id TEXT NOT NULL REFERENCES institutions(id),
  name           TEXT NOT NULL,
  ae_title       TEXT NOT NULL,
  host           TEXT NOT NULL,
  port           INTEGER NOT NULL,
  allow_store    INTEGER NOT NULL,   -- may send us instances (C-STORE)
  allow_query    INTEGER NOT NULL,   -- may query and retrieve (C-FIND, C-GET, C-MOVE)
  allow_push     INTEGER NOT NULL,   -- we may send results to it
  created_at     BIGINT NOT NULL,
  updated_at     BIGINT NOT NULL,
  UNIQUE (institution_id, name)
);
-- A calling AE title identifies one node across the platform, so an
-- association is filed under exactly one institution.
CREATE UNIQUE INDEX dicom_nodes_by_ae ON dicom_nodes(ae_title);
