"""From findings to evidence-backed joint specifications (PRODUCT.md §3, §5 pages 4-5).

- clusters: store candidate ids (FindingCluster) from grouping.clustering, keeping curated
  decisions
- ranking: the ranking rule, its weights and the supplier-specific / cross-supplier labels
- candidates: ranked candidates and their anonymised findings, disclosure-controlled
- curation: accept, reword, merge, unmerge, split (audited, rights checked)
- endorsements: one per LA per requirement; reach text
- specifications: titled, versioned specifications and requirement status
- evidence, export: a specification version's evidence, as Word and CSV
- views: requirements as a viewer may see them
"""
