"""finding embeddings cache, group summaries and "related, not the same" marks

Revision ID: 0004
Revises: 0001
Create Date: 2026-12-07 01:15:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('finding_embedding',
    sa.Column('text_hash', sa.String(length=64), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.PrimaryKeyConstraint('text_hash', name=op.f('pk_finding_embedding'))
    )
    op.create_table('cluster_summary',
    sa.Column('cluster_id', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('vector_sum', sa.LargeBinary(), nullable=False),
    sa.Column('square_sum', sa.Float(), nullable=False),
    sa.Column('theme_counts', sa.Text(), nullable=False),
    sa.Column('area_counts', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('cluster_id', name=op.f('pk_cluster_summary'))
    )
    op.create_table('cluster_relation',
    sa.Column('cluster_a', sa.String(length=40), nullable=False),
    sa.Column('cluster_b', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user_account.id'], name=op.f('fk_cluster_relation_created_by_id_user_account')),
    sa.PrimaryKeyConstraint('cluster_a', 'cluster_b', name=op.f('pk_cluster_relation'))
    )


def downgrade() -> None:
    op.drop_table('cluster_relation')
    op.drop_table('cluster_summary')
    op.drop_table('finding_embedding')
